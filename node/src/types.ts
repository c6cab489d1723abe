// Every public type name of the library (`mediasoup/types` and the `types`
// namespace of the main module). Nothing here exists at run time.

export type * from './indexTypes';
export type * from './typesGeneric';
export type * from './WorkerTypes';
export type * from './RouterTypes';
export type * from './WebRtcServerTypes';
export type * from './TransportTypes';
export type * from './WebRtcTransportTypes';
export type * from './PlainTransportTypes';
export type * from './PipeTransportTypes';
export type * from './DirectTransportTypes';
export type * from './ProducerTypes';
export type * from './ConsumerTypes';
export type * from './DataProducerTypes';
export type * from './DataConsumerTypes';
export type * from './RtpObserverTypes';
export type * from './ActiveSpeakerObserverTypes';
export type * from './AudioLevelObserverTypes';
export type * from './rtpParametersTypes';
export type * from './rtpStreamStatsTypes';
export type * from './sctpParametersTypes';
export type * from './srtpParametersTypes';
export type * from './scalabilityModesTypes';
export type { UnsupportedError, WorkerClosedError, NotFoundError } from './errors';
