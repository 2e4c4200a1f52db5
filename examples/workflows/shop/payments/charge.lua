return function(amount)
  if amount > 1000 then return { error = "amount over the card limit" } end
  return { id = "pay-" .. amount, amount = amount }
end
