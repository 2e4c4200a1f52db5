-- An order: reserve the amount, wait for an approval (POST /orders/{id}/approve signals it), charge.
-- Every step is recorded: after a crash the workflow resumes where it was, and a step that
-- already completed is never run again.
local funcs = require("funcs")

local steps = funcs.new():with_options({
  ["activity.retry_policy"] = {initial_interval = "200ms", backoff_coefficient = 2.0, maximum_interval = "2s"},
})

return function(order)
  local reservation, err = steps:call("app:reserve", order)
  if err then return nil, err end

  local approval
  while not approval do
    local msg = process.inbox():receive()
    if msg:topic() == "approve" then approval = msg:payload():data() end
  end

  local payment, cerr = steps:call("app:charge", order, reservation)
  if cerr then return nil, cerr end
  return {
    id = order.id, status = "completed", amount = order.amount,
    reservation = reservation.id, payment = payment.id, approved_by = approval.by,
  }
end
