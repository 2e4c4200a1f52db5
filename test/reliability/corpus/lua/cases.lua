local cases = {}
cases.raise = function() error("boom") end
cases.recursion = function() local function r(n) return 1 + r(n + 1) end return r(1) end
cases.metamethod_recursion = function() local t = setmetatable({}, {}) getmetatable(t).__index = function(s, k) return s[k] end return t.x end
cases.endless = function() local n = 0 while true do n = n + 1 end end
cases.doubling = function() local s = "xx" while true do s = s .. s end end
cases.strings = function() local t, s = {}, string.rep("x", 100000) for i = 1, 1e6 do t[i] = s .. i end end
cases.bad_tostring = function() error(setmetatable({}, {__tostring = function() error("and again") end})) end
cases.concat_table = function() local t, mb = {}, string.rep("y", 1024):rep(1024) for i = 1, 100 do t[i] = mb end return table.concat(t) end
return function(name) return cases[name]() end
