local PRICES = {book = 12, pen = 2, lamp = 30}

local function main(sku, qty)
  local unit = PRICES[sku]
  if not unit then return nil, errors.new{kind = "NotFound", message = "no price for " .. sku, retryable = false} end
  return unit * qty
end

return {main = main}
