-- Activity: reserve the order's amount with the payment API. It may run more than once (a retry,
-- a crash before its result was recorded): the Idempotency-Key is the activity id, which stays
-- the same across retries and restarts, so the API counts it once.
local http_client = require("http_client")
local json = require("json")
local ctx = require("ctx")
local config = require("config")

return function(order)
  local key = ctx.get("activity_id")
  local res, err = http_client.post(config.payment_url .. "/reserve", {
    headers = {["Content-Type"] = "application/json", ["Idempotency-Key"] = key},
    body = json.encode({order = order.id, amount = order.amount}),
    timeout = "5s",
  })
  if err then return nil, err end -- a network error: retryable, the workflow's policy retries it
  if res.status_code >= 500 then
    return nil, errors.new({kind = errors.UNAVAILABLE, message = "payment API answered " .. res.status_code})
  end
  if res.status_code ~= 200 then
    return nil, errors.new({kind = errors.INVALID, message = "reservation refused: " .. (res.body or ""), retryable = false})
  end
  -- TODO(sql): write the order row here through sql (keyed by `key`, so a re-run writes it once).
  return {id = json.decode(res.body).id}
end
