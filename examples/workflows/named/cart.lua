-- A shopping cart: items arrive as "add_item" messages (each priced by an activity), the cart
-- ends on "checkout". Every message is a recorded signal: after a crash the cart replays them.
local funcs = require("funcs")

local function main(input)
  local inbox = process.inbox()
  local items, total = {}, 0
  while true do
    local msg = inbox:receive()
    if msg:topic() == "add_item" then
      local item = msg:payload():data()
      local price = funcs.call("app.named:price", item.sku, item.qty)
      table.insert(items, item.sku)
      total = total + price
      process.send(msg:from(), "added", {sku = item.sku, total = total})
    elseif msg:topic() == "checkout" then
      return {customer = input.customer, items = items, total = total}
    end
  end
end

return {main = main}
