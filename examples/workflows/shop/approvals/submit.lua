return function(request) return { submitted = request.order_id } end
