"""The reference side of bench/attendance.mjs: the original's stack (Flask on Gunicorn's sync
worker) answering the three endpoints the mixed load uses, with the same data and the same
answers as apps/attendance-api: SQLite (WAL, busy timeout) by default, PostgreSQL (psycopg2)
when DATABASE_URL is set. Parameterised queries; one connection per worker process."""
import json
import os
import sqlite3

from flask import Flask, Response, request

app = Flask(__name__)
DATABASE_URL = os.environ.get("DATABASE_URL")
_conn = None


def conn():
    global _conn
    if _conn is None:
        if DATABASE_URL:
            import psycopg2

            _conn = psycopg2.connect(DATABASE_URL)
            _conn.autocommit = True
        else:
            path = os.path.join(os.environ["DATA_DIR"], "attendance.db")
            _conn = sqlite3.connect(path, timeout=5, isolation_level=None, check_same_thread=False)
            _conn.execute("PRAGMA journal_mode=WAL")
            _conn.execute("PRAGMA busy_timeout=5000")
        # The app's schema (apps/attendance-api/src/db/schema.ts).
        query("CREATE TABLE IF NOT EXISTS attendance (id TEXT PRIMARY KEY, name TEXT NOT NULL, status TEXT NOT NULL, date DATE NOT NULL)")
    return _conn


def query(sql, params=()):
    if DATABASE_URL:
        cur = conn().cursor()
        cur.execute(sql.replace("?", "%s"), params)
        rows = cur.fetchall() if cur.description else []
        cur.close()
        return rows
    return conn().execute(sql, params).fetchall()


SELECT = "SELECT id, name, status, " + ("to_char(date, 'YYYY-MM-DD')" if DATABASE_URL else "date") + " FROM attendance"


def as_json(body, status=200):
    return Response(json.dumps(body), status=status, mimetype="application/json")


def record(row):
    return {"id": row[0], "name": row[1], "status": row[2], "date": row[3]}


@app.post("/api/v1/attendance/create")
def create():
    body = request.get_json()
    try:
        query("INSERT INTO attendance (id, name, status, date) VALUES (?, ?, ?, ?)", (body["id"], body["name"], body["status"], body["date"]))
    except Exception:
        return as_json({"error": "Conflict"}, 409)
    return as_json({"message": "Successfully created the record for the employee id: $%s" % body["id"]})


@app.get("/api/v1/attendance/search")
def search():
    rows = query(SELECT + " WHERE id = ?", (request.args.get("id", ""),))
    if not rows:
        return as_json({"error": "Not Found"}, 404)
    return as_json(record(rows[0]))


@app.get("/api/v1/attendance/search/all")
def search_all():
    return as_json([record(r) for r in query(SELECT + (' ORDER BY id COLLATE "C"' if DATABASE_URL else " ORDER BY id"))])


@app.get("/api/v1/attendance/health")
def health():
    query("SELECT 1")
    return as_json({"message": "Attendance API is running fine and ready to serve requests"})
