local funcs = require("funcs")

local function main(request)
  funcs.call("app.approvals:submit", request)

  local inbox = process.inbox()
  local msg = inbox:receive()  -- bloquea hasta que llega la senal

  if msg.approved then
      funcs.call("app.orders:fulfill", request.order_id)
      return { order = request.order_id, approved = true }
  else
      funcs.call("app.notifications:send_rejection", request)
      return { order = request.order_id, approved = false }
  end
end

return { main = main }
