"""Staff pages (the back office), one module per screen."""
