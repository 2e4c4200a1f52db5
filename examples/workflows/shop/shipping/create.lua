return function(order)
  if order == "no-address" then return { error = "no shipping address" } end
  return { id = "ship-" .. tostring(order) }
end
