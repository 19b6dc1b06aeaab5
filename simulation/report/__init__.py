"""What people read: helpers the notebooks call, running the notebooks, the index page."""
