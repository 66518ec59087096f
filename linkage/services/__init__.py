"""Domain operations. Services take the acting user, check scope, flush and never commit."""
