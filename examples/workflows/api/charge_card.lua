local uuid = require("uuid")
return function(payment)
  if type(payment) ~= "table" or type(payment.amount) ~= "number" then
    return nil, errors.new({ kind = errors.INVALID, message = "payment needs a numeric amount", retryable = false })
  end
  return { id = "ch_" .. uuid.v4():sub(1, 8), amount = payment.amount, declined = payment.card == "0000" }
end
