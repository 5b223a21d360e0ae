"""Scheduled handlers (the EventBridge rules of `@app.schedule`); nothing at import."""
