-- Activity: reserve the order's amount with the payment API. It may run more than once (a retry,
-- a crash before its result was recorded): the Idempotency-Key is the activity id, which stays
-- the same across retries and restarts, so the API counts it once.
local ctx = require("ctx")
local payment = require("payment")

return function(order)
  local id, err = payment("reserve", ctx.get("activity_id"), {order = order.id, amount = order.amount})
  if err then return nil, err end
  -- TODO(sql): write the order row here through sql (keyed by the activity id, so a re-run writes it once).
  return {id = id}
end
