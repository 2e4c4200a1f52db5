-- Activity: charge a reservation (idempotent by the activity id, as reserve.lua).
local ctx = require("ctx")
local payment = require("payment")

return function(order, reservation)
  local id, err = payment("charge", ctx.get("activity_id"), {order = order.id, amount = order.amount, reservation = reservation.id})
  if err then return nil, err end
  -- TODO(sql): mark the order row charged here (keyed by the activity id).
  return {id = id}
end
