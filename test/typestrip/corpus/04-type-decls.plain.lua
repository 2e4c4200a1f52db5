
































local type_count = 0
local function count(kind)
  type_count = type_count + 1
  return type_count
end
count("pending"); count("done")
local r = {ok = true, value = 5}
return tostring(type_count) .. ":" .. tostring(r.value)
