# The two commands a newcomer needs (see README.md):
#   make run    set up, load demo data and serve the portal on http://127.0.0.1:8000/
#   make test   set up and run the whole test suite
.PHONY: run test setup lint format migrations-check

run:
	./scripts/run.sh

test:
	./scripts/test.sh

setup:
	./scripts/setup.sh

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format:
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

migrations-check:
	DATABASE_URL=sqlite:///:memory: PORTAL_ENV=test .venv/bin/python manage.py makemigrations --check --dry-run
