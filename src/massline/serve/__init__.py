"""Serving the public: departments, users and roles, work orders, deadlines, replies, satisfaction, metrics."""
