local v: any = 10
local a = v :: number
local b = (v :: number) + 1
local out = {}
for i = 1, 3 do
  if i == 2 then goto continue end
  out[#out + 1] = tostring(i :: integer)
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
local c = {v :: number, [v :: number] = "ten"}
local d = v::number
local e = v :: {[string]: number}?
return table.concat(out, ",") .. ";" .. a .. ";" .. b .. ";" .. c[1] .. c[10] .. d .. e
