local v = 10
local a = v
local b = (v) + 1
local out = {}
for i = 1, 3 do
  if i == 2 then goto continue end
  out[#out + 1] = tostring(i)
  ::continue::
end
do
  local k = 0
  ::top::
  k = k + 1
  if k < 3 then goto top end
  out[#out + 1] = "k" .. k
  ::done:: ::also_done::
end
local c = {v, [v] = "ten"}
local d = v
local e = v
return table.concat(out, ",") .. ";" .. a .. ";" .. b .. ";" .. c[1] .. c[10] .. d .. e
