// Reads every record of the given topics from the beginning with plain kafkajs, which decodes only gzip (and
// uncompressed batches) without a plugin. Prints {"topic": count, ...} and exits 0 once each topic has at least the
// asked-for number of records; exits 1 on any error (an LZ4 batch makes kafkajs throw) or after the time limit.
// Usage: node read-topics.js <bootstrap> <seconds> <topic>=<minRecords> ...
const { Kafka, logLevel } = require('kafkajs');

const [bootstrap, seconds, ...wanted] = process.argv.slice(2);
const minimum = Object.fromEntries(wanted.map((w) => { const [t, n] = w.split('='); return [t, Number(n)]; }));
const counts = Object.fromEntries(Object.keys(minimum).map((t) => [t, 0]));

const kafka = new Kafka({ clientId: 'ferry-kafkajs-check', brokers: bootstrap.split(','), logLevel: logLevel.ERROR });
const consumer = kafka.consumer({ groupId: `ferry-kafkajs-check-${process.pid}-${Date.now()}` });

function done(code, message) {
  if (message) console.error(message);
  console.log(JSON.stringify(counts));
  consumer.disconnect().catch(() => {}).finally(() => process.exit(code));
}

setTimeout(() => done(1, `time limit of ${seconds} s reached`), Number(seconds) * 1000).unref();
consumer.on(consumer.events.CRASH, (event) => done(1, `consumer crashed: ${event.payload.error}`));

(async () => {
  await consumer.connect();
  await consumer.subscribe({ topics: Object.keys(minimum), fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      if (message.value === null) throw new Error(`record of ${topic} without a value`);
      counts[topic] += 1;
      if (Object.keys(minimum).every((t) => counts[t] >= minimum[t])) done(0);
    },
  });
})().catch((error) => done(1, `kafkajs failed: ${error.stack || error}`));
