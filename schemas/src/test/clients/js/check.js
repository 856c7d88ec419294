// Run by ConfluentClientsIT: Confluent's own JS registry client and Avro serde against Ferry's registry.
// Arguments: registry URL, topic (its value subject holds test record A, which references C), the subject of C,
// and a record Ferry's serializer wrote, as hex. Prints one JSON object of what each call answered.
'use strict';
const { SchemaRegistryClient, AvroSerializer, AvroDeserializer, SerdeType } = require('@confluentinc/schemaregistry');

const [url, topic, cSubject, ferryHex] = process.argv.slice(2);

async function failure(call) {
  try {
    await call();
    return null;
  } catch (e) {
    return { status: e.status, code: e.errorCode, message: e.message };
  }
}

async function main() {
  const client = new SchemaRegistryClient({ baseURLs: [url] });
  const subject = topic + '-value';
  const out = {};

  const deserializer = new AvroDeserializer(client, SerdeType.VALUE, {});
  out.readFerry = await deserializer.deserialize(topic, Buffer.from(ferryHex, 'hex'));

  const serializer = new AvroSerializer(client, SerdeType.VALUE, { useLatestVersion: true, autoRegisterSchemas: false });
  out.written = (await serializer.serialize(topic, { a: { c: 'from-js' }, n: 42 })).toString('hex');

  const latest = await client.getLatestSchemaMetadata(subject);
  out.references = latest.references;
  out.lookupId = await client.getId(subject,
    { schemaType: 'AVRO', schema: latest.schema, references: latest.references }, false);
  out.latestId = latest.id;
  out.compatibleWithNewSubject = await client.testSubjectCompatibility(subject + '-new',
    { schemaType: 'AVRO', schema: '{"type":"record","name":"N","fields":[]}' });
  out.deleteReferenced = await failure(() => client.deleteSubjectVersion(cSubject, 1, false));
  out.missingSubject = await failure(() => client.getLatestSchemaMetadata(subject + '-missing'));
  out.missingVersion = await failure(() => client.getSchemaMetadata(cSubject, 9, false));
  console.log(JSON.stringify(out));
}

main().then(() => process.exit(0), (e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
