return function(items)
  if #items == 0 then return { error = "nothing to reserve" } end
  return { id = "res-" .. #items, items = items }
end
