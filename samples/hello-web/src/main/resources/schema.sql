create table if not exists visits (id bigserial primary key, visited_at timestamptz not null);
create table if not exists jobs (id bigserial primary key, done_at timestamptz not null);
create table if not exists heartbeat (id int primary key, beats bigint not null, last_beat timestamptz);
insert into heartbeat (id, beats) values (1, 0) on conflict (id) do nothing;
create table if not exists freeze_journal (id bigserial primary key, event text not null, instance_id text not null, at timestamptz not null);
