"""Monitoring service: progress, alerts, ratings, assessments, reports (MON-*)."""
