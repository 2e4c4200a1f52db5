local funcs = require("funcs")
local time = require("time")

type Payment = { amount: number, card: string? }
export type Charge = { id: string, amount: number, declined: boolean }

local function main(payment: Payment): { charge: string, status: string }
  local result: Charge = funcs.call("app.api:charge_card", payment) :: Charge
  time.sleep("24h")
  local status: string = funcs.call("app.api:check_status", result.id) as string

  if status == "failed" then
      funcs.call("app.api:refund", result.id)
  end

  return { charge = result.id, status = status }
end

return { main = main }
