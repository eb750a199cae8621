-- 002: mediation files by the day they were accepted, for the monthly figures and the Ministry
-- of Justice's table (`PgStore::mediation_table`): a month is one range scan however many
-- years the store holds.
CREATE INDEX records_mediation_accepted ON records ((data ->> 'accepted_at'))
    WHERE entity = 'mediation';
