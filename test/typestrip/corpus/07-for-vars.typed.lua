local sum = 0
for i: integer = 1, 10 do sum = sum + i end
for i: number = 10, 1, -2 do sum = sum + i end
local keys = {}
for k: string, v: number in pairs({a = 1}) do keys[#keys + 1] = k .. v end
for idx: integer, val in ipairs({"p", "q"}) do keys[#keys + 1] = idx .. val end
for _, w: string in ipairs({"z"}) do keys[#keys + 1] = w end
for key: string?, value: {n: number}? in pairs({k = {n = 3}}) do keys[#keys + 1] = key .. value.n end
return sum .. ":" .. table.concat(keys, ",")
