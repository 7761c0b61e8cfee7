-- Instants are compared in UTC; local days always name the campaign zone explicitly.
SET TimeZone = 'UTC'
