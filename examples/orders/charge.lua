-- Activity: write the charge's row, charge the reservation, record the payment in the row
-- (idempotent by the activity id, as reserve.lua).
local ctx = require("ctx")
local payment = require("payment")
local orders_db = require("orders_db")

return function(order, reservation)
  local key = ctx.get("activity_id")
  local _, werr = orders_db.begin_charge(key, order)
  if werr then return nil, werr end
  local id, err = payment("charge", key, {order = order.id, amount = order.amount, reservation = reservation.id})
  if err then return nil, err end
  _, werr = orders_db.charged(key, id)
  if werr then return nil, werr end
  return {id = id}
end
