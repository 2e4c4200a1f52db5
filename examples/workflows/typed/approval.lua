local funcs = require("funcs")

type Request = { order_id: string, amount: number? }
type Decision = "approved" | "rejected"

local function decide(approved: boolean?): Decision
  if approved then return "approved" end
  return "rejected"
end

local function main(request: Request)
  funcs.call("app.approvals:submit", request)

  local inbox = process.inbox()
  local msg = inbox:receive()  -- bloquea hasta que llega la senal
  local decision: Decision = decide(msg.approved :: boolean?)

  if decision == "approved" then
      funcs.call("app.orders:fulfill", request.order_id)
  else
      funcs.call("app.notifications:send_rejection", request)
  end
  return { order = request.order_id, decision = decision }
end

return { main = main }
