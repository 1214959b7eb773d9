from pasar.cli import app

app()
