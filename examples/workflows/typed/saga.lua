local funcs = require("funcs")

type Step<T> = T & { error: string? }
type Order = {
  items: {string},
  amount: number,
  order: string,
}

local function main(input: Order): ({ [string]: any }?, string?)
  local inventory: Step<{ id: string }> = funcs.call("app.inventory:reserve", input.items)
  if inventory.error then
      return nil, inventory.error
  end

  local payment: Step<{ id: string }> = funcs.call("app.payments:charge", input.amount)
  if payment.error then
      funcs.call("app.inventory:release", inventory.id)
      return nil, payment.error
  end

  local shipping: Step<{ id: string }> = funcs.call("app.shipping:create", input.order)
  if shipping.error then
      funcs.call("app.payments:refund", payment.id)
      funcs.call("app.inventory:release", inventory.id)
      return nil, shipping.error
  end

  return {inventory = inventory, payment = payment, shipping = shipping}
end

return { main = main }
