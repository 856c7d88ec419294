"""Run by ConfluentClientsIT: Confluent's Python SchemaRegistryClient (Debian's python3-confluent-kafka) against
Ferry's registry. Arguments: registry URL and a run id that keeps the subjects apart. Prints one JSON object of what
each call answered; the Java test judges it."""
import json
import sys

from confluent_kafka.schema_registry import Schema, SchemaReference, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError

URL, RUN = sys.argv[1], sys.argv[2]
C = '{"type":"record","name":"C","namespace":"pyref","fields":[{"name":"c","type":"string"}]}'
A = '{"type":"record","name":"A","namespace":"pyref","fields":[{"name":"a","type":"pyref.C"}]}'
A_V2 = ('{"type":"record","name":"A","namespace":"pyref","fields":[{"name":"a","type":"pyref.C"},'
        '{"name":"n","type":"int","default":0}]}')
C_SUBJECT = 'py-c-' + RUN
A_SUBJECT = 'py-a-' + RUN


def failure(call):
    try:
        call()
        return None
    except SchemaRegistryError as e:
        return {'status': e.http_status_code, 'code': e.error_code, 'message': e.error_message}


def refs(references):
    return [r if isinstance(r, dict) else {'name': r.name, 'subject': r.subject, 'version': r.version}
            for r in references]


client = SchemaRegistryClient({'url': URL})
out = {}
client.register_schema(C_SUBJECT, Schema(C, 'AVRO'))
ref = SchemaReference('pyref.C', C_SUBJECT, 1)
out['undefinedWithoutReference'] = failure(lambda: client.register_schema(A_SUBJECT, Schema(A, 'AVRO')))
a_id = client.register_schema(A_SUBJECT, Schema(A, 'AVRO', [ref]))
out['aId'] = a_id
out['byIdReferences'] = refs(SchemaRegistryClient({'url': URL}).get_schema(a_id).references)
found = client.lookup_schema(A_SUBJECT, Schema(A, 'AVRO', [ref]))
out['lookup'] = {'id': found.schema_id, 'version': found.version, 'references': refs(found.schema.references)}
out['latestReferences'] = refs(client.get_latest_version(A_SUBJECT).schema.references)
out['compatibleEvolution'] = client.test_compatibility(A_SUBJECT, Schema(A_V2, 'AVRO', [ref]))
out['compatibleWithNewSubject'] = client.test_compatibility('py-new-' + RUN, Schema(C, 'AVRO'))
out['deleteReferenced'] = failure(lambda: client.delete_version(C_SUBJECT, 1))
out['missingSubject'] = failure(lambda: client.get_latest_version('py-missing-' + RUN))
out['missingVersion'] = failure(lambda: client.get_version(C_SUBJECT, 9))
out['missingSchema'] = failure(lambda: client.get_schema(2 ** 31 - 1))
out['missingLookup'] = failure(lambda: client.lookup_schema(C_SUBJECT, Schema(A_V2, 'AVRO', [ref])))
out['unknownReference'] = failure(lambda: client.register_schema(
    'py-x-' + RUN, Schema(A, 'AVRO', [SchemaReference('pyref.C', 'py-none-' + RUN, 1)])))

JSON_SCHEMA = '{"type": "object", "properties": {"id": {"type": "string"}}}'
json_id = client.register_schema('py-json-' + RUN, Schema(JSON_SCHEMA, 'JSON'))
out['json'] = {'type': SchemaRegistryClient({'url': URL}).get_schema(json_id).schema_type,
               'sameIdAgain': client.register_schema('py-json2-' + RUN, Schema(JSON_SCHEMA.replace(' ', ''), 'JSON'))
               == json_id}
ADDRESS = 'syntax = "proto3";\npackage pyref;\nmessage Address { string city = 1; }\n'
CUSTOMER = ('syntax = "proto3";\npackage pyref;\nimport "address.proto";\n'
            'message Customer { Address address = 1; }\n')
client.register_schema('py-address-' + RUN, Schema(ADDRESS, 'PROTOBUF'))
proto_ref = SchemaReference('address.proto', 'py-address-' + RUN, 1)
proto_id = client.register_schema('py-customer-' + RUN, Schema(CUSTOMER, 'PROTOBUF', [proto_ref]))
proto = SchemaRegistryClient({'url': URL}).get_schema(proto_id)
out['protobuf'] = {'type': proto.schema_type, 'references': refs(proto.references),
                   'latestType': client.get_latest_version('py-customer-' + RUN).schema.schema_type}
print(json.dumps(out))
