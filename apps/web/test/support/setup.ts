// IndexedDB for the offline copies, as a browser has it.
import 'fake-indexeddb/auto';
