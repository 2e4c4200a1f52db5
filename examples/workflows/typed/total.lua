-- A typed function: generic helpers, typed for-loops, a method call and a cast.
local function sum<T>(items: {T}, get: (T) -> number): number
  local s: number = 0
  for _, item: T in ipairs(items) do
    s = s + get(item)
  end
  return s
end

return function(lines: {{ qty: integer, price: number }}): string
  local total = sum(lines, function(l): number return l.qty * l.price end)
  return string.format("%.2f", total as number)
end
