local funcs = require("funcs")

local function main(input)
  local items, amount, order = input.items, input.amount, input.order

  local inventory = funcs.call("app.inventory:reserve", items)
  if inventory.error then
      return nil, inventory.error
  end

  local payment = funcs.call("app.payments:charge", amount)
  if payment.error then
      funcs.call("app.inventory:release", inventory.id)
      return nil, payment.error
  end

  local shipping = funcs.call("app.shipping:create", order)
  if shipping.error then
      funcs.call("app.payments:refund", payment.id)
      funcs.call("app.inventory:release", inventory.id)
      return nil, shipping.error
  end

  return {inventory = inventory, payment = payment, shipping = shipping}
end

return { main = main }
