return function(...) return ... end
