/**
 * The trigger runtime (issue 14, DESIGN "Triggers"): replicas that consume a trigger's source topics in its group,
 * decode, filter and batch the records, run the function through the worker's {@code Invoker}, and write outputs,
 * results and failures. The batch path ({@link dev.ferry.worker.internal.trigger.Intake},
 * {@link dev.ferry.worker.internal.trigger.Lanes}, {@link dev.ferry.worker.internal.trigger.BatchRunner}) knows no
 * consumer; {@link dev.ferry.worker.internal.trigger.OrderedTriggerReplica} (PARTITION, KEY: consumer group,
 * transactions) and {@link dev.ferry.worker.internal.trigger.ShareTriggerReplica} (NONE: share group, at least
 * once) drive it.
 */
package dev.ferry.worker.internal.trigger;
