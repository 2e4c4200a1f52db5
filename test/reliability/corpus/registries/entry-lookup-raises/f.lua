-- A module table whose __index raises: looking up the entry point must be a clean error.
return setmetatable({}, {__index = function(_, k) error("no field " .. k) end})
