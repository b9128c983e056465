package db

import "fmt"

import "github.com/google/uuid"
import "github.com/jackc/pgx/v5/pgtype"

// registerUUID makes a connection send and read uuid.UUID values as the
// 16 bytes they are. Without it pgx goes through the type's database/sql
// methods: every id argument formatted as text and parsed again, every id
// read as text and parsed (a measurable share of a page's CPU; issue 19).
// Other Go types (pgtype.UUID, [16]byte, strings) go on as before.
func registerUUID(m *pgtype.Map) {
	t := &pgtype.Type{Name: "uuid", OID: pgtype.UUIDOID, Codec: uuidCodec{}}
	m.RegisterType(t)
	m.RegisterType(&pgtype.Type{Name: "_uuid", OID: pgtype.UUIDArrayOID, Codec: &pgtype.ArrayCodec{ElementType: t}})
}

// uuidCodec is pgx's UUIDCodec with plans of its own for uuid.UUID.
type uuidCodec struct{ pgtype.UUIDCodec }

func (c uuidCodec) PlanEncode(m *pgtype.Map, oid uint32, format int16, value any) pgtype.EncodePlan {
	if _, ok := value.(uuid.UUID); ok {
		if format == pgtype.BinaryFormatCode {
			return uuidBinaryEncode{}
		}
		return uuidTextEncode{}
	}
	return c.UUIDCodec.PlanEncode(m, oid, format, value)
}

type uuidBinaryEncode struct{}

func (uuidBinaryEncode) Encode(value any, buf []byte) ([]byte, error) {
	v := value.(uuid.UUID)
	return append(buf, v[:]...), nil
}

type uuidTextEncode struct{}

func (uuidTextEncode) Encode(value any, buf []byte) ([]byte, error) {
	return append(buf, value.(uuid.UUID).String()...), nil
}

func (c uuidCodec) PlanScan(m *pgtype.Map, oid uint32, format int16, target any) pgtype.ScanPlan {
	if _, ok := target.(*uuid.UUID); ok {
		if format == pgtype.BinaryFormatCode {
			return uuidBinaryScan{}
		}
		return uuidTextScan{}
	}
	return c.UUIDCodec.PlanScan(m, oid, format, target)
}

// NULL reads as uuid.Nil, as uuid.UUID's own Scan has it.
type uuidBinaryScan struct{}

func (uuidBinaryScan) Scan(src []byte, dst any) error {
	d := dst.(*uuid.UUID)
	if src == nil {
		*d = uuid.Nil
		return nil
	}
	if len(src) != 16 {
		return fmt.Errorf("db: uuid of %d bytes", len(src))
	}
	*d = uuid.UUID(src)
	return nil
}

type uuidTextScan struct{}

func (uuidTextScan) Scan(src []byte, dst any) error {
	d := dst.(*uuid.UUID)
	if src == nil {
		*d = uuid.Nil
		return nil
	}
	v, err := uuid.ParseBytes(src)
	if err != nil {
		return fmt.Errorf("db: uuid: %w", err)
	}
	*d = v
	return nil
}
