-- Activity: write the order's row, reserve the order's amount with the payment API, record the
-- reservation in the row. It may run more than once (a retry, a crash before its result was
-- recorded): the activity id stays the same across retries and restarts, so it is the API's
-- Idempotency-Key (the API counts it once) and the row's key (orders_db.lua: one row).
local ctx = require("ctx")
local payment = require("payment")
local orders_db = require("orders_db")

return function(order)
  local key = ctx.get("activity_id")
  local _, werr = orders_db.begin_order(key, order)
  if werr then return nil, werr end
  local id, err = payment("reserve", key, {order = order.id, amount = order.amount})
  if err then return nil, err end
  _, werr = orders_db.reserved(key, id)
  if werr then return nil, werr end
  return {id = id}
end
