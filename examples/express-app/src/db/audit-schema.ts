/**
 * The schema of `@armor/audit`'s PostgreSQL store (`postgresAuditStore({ db }).schemaSql`, table
 * prefix `armor_audit`), frozen as migration 4 applied it: migrations are checksummed, so this
 * text never changes. When a later `@armor/audit` changes its schema, `test/audit.test.ts`
 * fails; add a new migration with the difference.
 *
 * @module
 */

/** Tables, indexes and the append function (a PL/pgSQL body in `$fn$` quotes). */
export const AUDIT_SCHEMA_V1 = `
create table if not exists armor_audit_entries (
  stream text not null,
  seq bigint not null,
  time text not null,
  event text not null,
  prev_hash text not null,
  hash text not null,
  subject text not null,
  personal text,
  idempotency_key text,
  primary key (stream, seq)
);
create unique index if not exists armor_audit_entries_idempotency on armor_audit_entries (stream, idempotency_key) where idempotency_key is not null;
create index if not exists armor_audit_entries_subject on armor_audit_entries (subject) where personal is not null;
create table if not exists armor_audit_checkpoints (
  id text primary key,
  stream text not null,
  seq bigint not null,
  body text not null
);
create index if not exists armor_audit_checkpoints_stream on armor_audit_checkpoints (stream, seq);
create or replace function armor_audit_append(p_stream text, p_time text, p_event text, p_a text, p_b text, p_c text, p_subject text, p_personal text, p_key text)
returns table(o_seq bigint, o_prev text, o_hash text, o_duplicate boolean, o_time text, o_event text, o_personal text)
language plpgsql volatile as $fn$
declare
  h_seq bigint;
  h_hash text;
  n bigint;
  new_hash text;
begin
  if current_setting('transaction_isolation') <> 'read committed' then
    raise exception 'armor audit: append needs a READ COMMITTED transaction (got %)', current_setting('transaction_isolation');
  end if;
  perform pg_advisory_xact_lock(hashtextextended('armor_audit:' || p_stream, 0));
  if p_key is not null then
    return query select e.seq, e.prev_hash, e.hash, true, e.time, e.event, e.personal
      from armor_audit_entries e where e.stream = p_stream and e.idempotency_key = p_key;
    if found then return; end if;
  end if;
  select e.seq, e.hash into h_seq, h_hash from armor_audit_entries e where e.stream = p_stream order by e.seq desc limit 1;
  if h_seq is null then
    h_seq := 0;
    h_hash := repeat('0', 64);
  end if;
  n := h_seq + 1;
  new_hash := encode(sha256(convert_to(p_a || h_hash || p_b || n::text || p_c, 'UTF8')), 'hex');
  insert into armor_audit_entries (stream, seq, time, event, prev_hash, hash, subject, personal, idempotency_key)
    values (p_stream, n, p_time, p_event, h_hash, new_hash, p_subject, p_personal, p_key);
  return query select n, h_hash, new_hash, false, p_time, p_event, p_personal;
end
$fn$;
`;
