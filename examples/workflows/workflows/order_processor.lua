local funcs = require("funcs")
local time = require("time")

local function main(order)
  local charge = funcs.call("app.api:charge_card", { amount = order.amount, card = order.card or "4242" })
  local update = process.inbox():receive()   -- the starter's "update" signal
  time.sleep("1s")
  return { order = order.order_id, charge = charge.id, status = update.status }
end

return { main = main }
