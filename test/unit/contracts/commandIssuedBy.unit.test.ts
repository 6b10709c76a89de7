// issuedBy (who issued a command) is optional: new commands carry it through Avro, old ones decode without.
import avro from 'avsc';
import { AVRO_OPTIONS, commandFromAvro, commandToAvro, readSchema } from '../../../src/contracts';
import type { CommandEnvelope } from '../../../src/domain';
import { commands } from '../../fixtures/avro/samples';

const type = avro.Type.forSchema(readSchema('command') as avro.Schema, { ...AVRO_OPTIONS });
const roundTrip = (envelope: CommandEnvelope) =>
  commandFromAvro(type.fromBuffer(type.toBuffer(commandToAvro(envelope))) as Record<string, unknown>);

test('a command with issuedBy keeps it; one without has none after a round trip', () => {
  const reserve = commands['reserve-capacity'] as CommandEnvelope;
  expect(roundTrip({ ...reserve, issuedBy: 'checkout-service' })).toStrictEqual({
    ...reserve,
    issuedBy: 'checkout-service',
  });
  expect(roundTrip(reserve)).toStrictEqual(reserve);
});
