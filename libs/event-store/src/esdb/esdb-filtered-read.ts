import type { CallOptions, ClientReadableStream, Metadata } from '@grpc/grpc-js';
import type { AllStreamResolvedEvent, BaseOptions, EventStoreDBClient, Filter, Position } from '@eventstore/db-client';
import { StreamsClient } from '@eventstore/db-client/generated/streams_grpc_pb';
import { ReadReq, type ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { Empty } from '@eventstore/db-client/generated/shared_pb';
import { ReadStream } from '@eventstore/db-client/dist/streams/utils/ReadStream';
import { convertGrpcEvent } from '@eventstore/db-client/dist/utils/convertGrpcEvent';

/**
 * The protected parts of the client that its own readAll uses. They are reached by a cast because
 * client 6.2.1's `readAll` always sends `no_filter`, while the server (>= 20.6) filters $all reads
 * natively; going through the client's stream factory keeps its channel, credentials, leader
 * redirects and dispose() bookkeeping. Pinned client version: re-check on upgrade.
 */
interface ClientInternals {
  GRPCStreamCreator(
    client: typeof StreamsClient,
    debugName: string,
    creator: (grpcClient: InstanceType<typeof StreamsClient>) => ClientReadableStream<ReadResp>,
  ): () => Promise<ClientReadableStream<ReadResp>>;
  callArguments(options: BaseOptions, callOptions?: CallOptions): [Metadata, CallOptions];
}

export interface FilteredReadOptions {
  readonly from: Position | 'start' | 'end';
  readonly direction: 'forwards' | 'backwards';
  readonly filter: Filter;
  readonly maxCount?: number;
  readonly requiresLeader?: boolean;
}

/** Reads $all with a server-side filter; the result is the client's own ReadStream. */
export function readAllFiltered(client: EventStoreDBClient, options: FilteredReadOptions): ReadStream<AllStreamResolvedEvent> {
  const allOptions = new ReadReq.Options.AllOptions();
  if (options.from === 'start') allOptions.setStart(new Empty());
  else if (options.from === 'end') allOptions.setEnd(new Empty());
  else {
    const position = new ReadReq.Options.Position();
    position.setCommitPosition(options.from.commit.toString(10));
    position.setPreparePosition(options.from.prepare.toString(10));
    allOptions.setPosition(position);
  }

  const expression = new ReadReq.Options.FilterOptions.Expression();
  if ('regex' in options.filter) expression.setRegex(options.filter.regex);
  if ('prefixes' in options.filter) expression.setPrefixList(options.filter.prefixes);
  const filterOptions = new ReadReq.Options.FilterOptions();
  if (options.filter.filterOn === 'streamName') filterOptions.setStreamIdentifier(expression);
  else filterOptions.setEventType(expression);
  // "count" window: the server keeps scanning until it has maxCount matches or reaches the end.
  filterOptions.setCount(new Empty());
  filterOptions.setCheckpointintervalmultiplier(1);

  const uuidOption = new ReadReq.Options.UUIDOption();
  uuidOption.setString(new Empty());
  const readOptions = new ReadReq.Options();
  readOptions.setAll(allOptions);
  readOptions.setResolveLinks(false);
  readOptions.setCount(String(options.maxCount ?? Number.MAX_SAFE_INTEGER));
  readOptions.setUuidOption(uuidOption);
  readOptions.setFilter(filterOptions);
  readOptions.setReadDirection(
    options.direction === 'forwards' ? ReadReq.Options.ReadDirection.FORWARDS : ReadReq.Options.ReadDirection.BACKWARDS,
  );
  const request = new ReadReq();
  request.setOptions(readOptions);

  const internals = client as unknown as ClientInternals;
  const createStream = internals.GRPCStreamCreator(StreamsClient, 'readAll', (grpcClient) =>
    grpcClient.read(request, ...internals.callArguments({ requiresLeader: options.requiresLeader }, { deadline: Infinity })),
  );
  return new ReadStream<AllStreamResolvedEvent>(createStream, convertGrpcEvent, {});
}
