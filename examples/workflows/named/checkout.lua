-- Starts the cart of an order by name with its first items as startup messages, then starts it
-- again by the same name: the running cart is joined and gets the new messages. Waits for EXIT.
local function main(order)
  local cart = process.with_options({}):with_name("cart-" .. order)
  local pid, err = cart
    :with_message("add_item", {sku = "book", qty = 2})
    :with_message("add_item", {sku = "pen", qty = 3})
    :spawn_monitored("app.named:cart", "app:temporal_worker", {customer = "ann"})
  if not pid then return nil, err end

  local again, err2 = cart
    :with_message("add_item", {sku = "lamp", qty = 1})
    :with_message("checkout")
    :spawn("app.named:cart", "app:temporal_worker", {customer = "someone else"})
  if not again then return nil, err2 end

  local events = process.events()
  while true do
    local ev = events:receive()
    if ev.kind == process.event.EXIT and ev.from == pid then
      if ev.result.error then return nil, ev.result.error end
      return {cart = pid, joined = again == pid, result = ev.result.value}
    end
  end
end

return {main = main}
