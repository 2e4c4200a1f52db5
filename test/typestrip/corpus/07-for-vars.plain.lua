local sum = 0
for i = 1, 10 do sum = sum + i end
for i = 10, 1, -2 do sum = sum + i end
local keys = {}
for k, v in pairs({a = 1}) do keys[#keys + 1] = k .. v end
for idx, val in ipairs({"p", "q"}) do keys[#keys + 1] = idx .. val end
for _, w in ipairs({"z"}) do keys[#keys + 1] = w end
for key, value in pairs({k = {n = 3}}) do keys[#keys + 1] = key .. value.n end
return sum .. ":" .. table.concat(keys, ",")
