-- upgrade

-- outside the transaction
DROP INDEX CONCURRENTLY public.ix_orders_legacy;

ALTER TABLE public.orders ADD COLUMN token UUID;

ALTER TABLE public.orders ALTER COLUMN token SET DEFAULT gen_random_uuid();

-- outside the transaction
DO $schemagen$
DECLARE
  pages bigint := pg_relation_size('public.orders'::regclass) / current_setting('block_size')::bigint;
  step bigint;
  page bigint := 0;
  filled bigint;
BEGIN
  SELECT greatest(1, 5000 / CASE WHEN relpages > 0 AND reltuples > 0
                                 THEN greatest(1, (reltuples / relpages)::bigint) ELSE 50 END)
    INTO step FROM pg_class WHERE oid = 'public.orders'::regclass;
  WHILE page <= pages LOOP
    UPDATE public.orders SET token = DEFAULT
      WHERE ctid >= format('(%s,0)', page)::tid AND ctid < format('(%s,0)', page + step)::tid
        AND token IS NULL;
    page := page + step;
    COMMIT;
  END LOOP;
  LOOP
    UPDATE public.orders SET token = DEFAULT
      WHERE ctid = ANY (ARRAY(SELECT ctid FROM public.orders WHERE token IS NULL LIMIT 5000));
    GET DIAGNOSTICS filled = ROW_COUNT;
    COMMIT;
    EXIT WHEN filled = 0;
  END LOOP;
END
$schemagen$;

ALTER TABLE public.orders ADD CONSTRAINT orders_token_not_null CHECK (token IS NOT NULL) NOT VALID;

-- outside the transaction
ALTER TABLE public.orders VALIDATE CONSTRAINT orders_token_not_null;

ALTER TABLE public.orders ALTER COLUMN token SET NOT NULL;

ALTER TABLE public.orders DROP CONSTRAINT IF EXISTS orders_token_not_null;

ALTER TABLE public.orders ADD COLUMN flagged BOOLEAN NOT NULL DEFAULT false;

ALTER TABLE public.orders ADD CONSTRAINT orders_customer_id_not_null CHECK (customer_id IS NOT NULL) NOT VALID;

-- outside the transaction
ALTER TABLE public.orders VALIDATE CONSTRAINT orders_customer_id_not_null;

ALTER TABLE public.orders ALTER COLUMN customer_id SET NOT NULL;

ALTER TABLE public.orders DROP CONSTRAINT IF EXISTS orders_customer_id_not_null;

ALTER TABLE public.orders ALTER COLUMN note TYPE character varying(50);

CREATE TABLE public.audit (
    id BIGINT NOT NULL,
    order_id BIGINT NOT NULL,
    CONSTRAINT audit_pkey PRIMARY KEY (id),
    CONSTRAINT audit_order_id_fkey FOREIGN KEY (order_id) REFERENCES public.orders (id)
);

CREATE INDEX ix_audit_order_id ON public.audit (order_id);

-- outside the transaction
CREATE UNIQUE INDEX CONCURRENTLY orders_code_key ON public.orders (code);

ALTER TABLE public.orders ADD CONSTRAINT orders_code_key UNIQUE USING INDEX orders_code_key;

ALTER TABLE public.orders ADD CONSTRAINT orders_amount_check CHECK (amount >= 0) NOT VALID;

-- outside the transaction
ALTER TABLE public.orders VALIDATE CONSTRAINT orders_amount_check;

-- outside the transaction
CREATE INDEX CONCURRENTLY ix_orders_status ON public.orders (status);

ALTER TABLE public.orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES public.customers (id) NOT VALID;

-- outside the transaction
ALTER TABLE public.orders VALIDATE CONSTRAINT orders_customer_id_fkey;

ALTER TABLE public.orders DROP COLUMN legacy;

-- downgrade

ALTER TABLE public.orders ADD COLUMN legacy text;

ALTER TABLE public.orders DROP CONSTRAINT orders_customer_id_fkey;

-- outside the transaction
DROP INDEX CONCURRENTLY public.ix_orders_status;

ALTER TABLE public.orders DROP CONSTRAINT orders_amount_check;

ALTER TABLE public.orders DROP CONSTRAINT orders_code_key;

DROP INDEX public.ix_audit_order_id;

DROP TABLE public.audit;

ALTER TABLE public.orders ALTER COLUMN note TYPE character varying(20);

ALTER TABLE public.orders ALTER COLUMN customer_id DROP NOT NULL;

ALTER TABLE public.orders DROP COLUMN flagged;

ALTER TABLE public.orders DROP COLUMN token;

-- outside the transaction
CREATE INDEX CONCURRENTLY ix_orders_legacy ON public.orders (legacy);

