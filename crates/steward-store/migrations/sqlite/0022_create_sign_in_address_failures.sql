-- Failed sign-ins counted per network address as well as per account (sign_in_failures), so one
-- address guessing passwords across many accounts is slowed too. An address is given more
-- failures before its first delay than an account, since many people may share it.
CREATE TABLE sign_in_address_failures (
    address TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_failure_at BIGINT NOT NULL,
    locked_until BIGINT NOT NULL
);
