return function() return "outside the registry" end
