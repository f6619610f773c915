"""rivalscope's Django app: the competitive-intelligence domain model and everything around it."""
